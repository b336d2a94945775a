import type Konva from 'konva';
import { useState } from 'react';
import { Circle, Group, Image as KonvaImage, Layer, Line, Rect, Stage } from 'react-konva';
import type { OpenedImage } from '../../../src-shared/contract/api';
import type { Task } from '../../../src-shared/contract/restore';
import {
  GRID_SIDE,
  panBy,
  stagePx,
  stageToImage,
  zoomAt,
  type ImagePoint,
  type StagePoint,
  type Viewport,
  type ViewRegion,
} from '../geometry/spaces';
import {
  handlePoint,
  handlesFor,
  hitCrop,
  moveCrop,
  rectFromCorners,
  resizeCrop,
  workingSize,
  type CropAspect,
  type CropHandle,
} from './crop';
import { hasExtend, type CropRect, type EditorDoc, type Extend } from './document';
import type { MaskRaster } from './mask-raster';
import type { Tool } from './tools';
import type { EditorApi } from './useEditor';
import { RENDERER_TASKS } from '../run/task-sides';
import { readsField } from '../../../src-shared/tasks/registry';

type Edge = 'top' | 'right' | 'bottom' | 'left';

type Drag =
  | { readonly kind: 'stroke'; readonly points: readonly ImagePoint[]; readonly erase: boolean }
  | { readonly kind: 'rect'; readonly start: ImagePoint; readonly end: ImagePoint }
  | { readonly kind: 'pan'; readonly last: StagePoint }
  | { readonly kind: 'extend'; readonly edge: Edge; readonly draft: Extend }
  | { readonly kind: 'crop-new'; readonly anchor: ImagePoint }
  | { readonly kind: 'crop-resize'; readonly handle: CropHandle; readonly origin: CropRect }
  | { readonly kind: 'crop-move'; readonly start: ImagePoint; readonly origin: CropRect };

export interface EditorStageProps {
  readonly image: OpenedImage;
  readonly html: HTMLImageElement | null;
  readonly width: number;
  readonly height: number;
  readonly viewport: Viewport;
  readonly onViewport: (v: Viewport) => void;
  readonly doc: EditorDoc;
  readonly task: Task;
  readonly tool: Tool;
  readonly spaceHeld: boolean;
  readonly brushRadius: number;
  /** The crop being drawn, in px of the working photo; applied only on Enter. */
  readonly cropDraft: CropRect | null;
  readonly onCropDraft: (rect: CropRect | null) => void;
  readonly cropAspect: CropAspect;
  readonly raster: MaskRaster;
  readonly region: ViewRegion | null;
  readonly showGrid: boolean;
  readonly perform: EditorApi['perform'];
}

const MASK_OPACITY = 0.55;

function pointerOf(event: Konva.KonvaEventObject<MouseEvent | WheelEvent>): StagePoint | null {
  const p = event.target.getStage()?.getPointerPosition();
  return p ? { x: stagePx(p.x), y: stagePx(p.y) } : null;
}

function nearestEdge(p: ImagePoint, e: Extend, w: number, h: number, tolerance: number): Edge | null {
  const left = -e.left;
  const right = w + e.right;
  const top = -e.top;
  const bottom = h + e.bottom;
  const inY = p.y > top - tolerance && p.y < bottom + tolerance;
  const inX = p.x > left - tolerance && p.x < right + tolerance;
  const candidates: [Edge, number][] = [];
  if (inY) candidates.push(['left', Math.abs(p.x - left)], ['right', Math.abs(p.x - right)]);
  if (inX) candidates.push(['top', Math.abs(p.y - top)], ['bottom', Math.abs(p.y - bottom)]);
  const best = candidates.filter(([, d]) => d <= tolerance).sort((a, b) => a[1] - b[1])[0];
  return best ? best[0] : null;
}

function draggedExtend(edge: Edge, p: ImagePoint, base: Extend, w: number, h: number): Extend {
  const out = (v: number) => Math.max(0, Math.round(v));
  switch (edge) {
    case 'left':
      return { ...base, left: out(0 - p.x) };
    case 'right':
      return { ...base, right: out(p.x - w) };
    case 'top':
      return { ...base, top: out(0 - p.y) };
    case 'bottom':
      return { ...base, bottom: out(p.y - h) };
  }
}

/**
 * The photo on a Konva stage in four layers: the photo (with a preview of shift and rotation), the damage mask,
 * the token-grid overlay, and the tool preview (brush cursor, the stroke or rectangle being drawn, extender
 * handles, the crop being drawn). The photo's group is scaled so everything inside it is drawn in image px of
 * the working photo: the opened photo, or the part of it an applied crop keeps.
 */
export function EditorStage(props: EditorStageProps) {
  const { image, html, viewport, doc, task, tool, raster, region, cropDraft, cropAspect } = props;
  const [drag, setDrag] = useState<Drag | null>(null);
  const [cursor, setCursor] = useState<ImagePoint | null>(null);
  const photo = workingSize(image, doc.crop);
  const w = photo.width;
  const h = photo.height;
  const extend = drag?.kind === 'extend' ? drag.draft : doc.extend;
  const showExtend = readsField(task, 'extend') || tool === 'extend';
  const panning = props.spaceHeld || tool === 'pan';
  const handle = 8 / viewport.scale;

  const toImage = (p: StagePoint) => stageToImage(p, viewport);

  const onDown = (event: Konva.KonvaEventObject<MouseEvent>) => {
    const p = pointerOf(event);
    if (!p) return;
    if (panning || event.evt.button === 1) {
      setDrag({ kind: 'pan', last: p });
      return;
    }
    if (event.evt.button !== 0) return;
    const ip = toImage(p);
    switch (tool) {
      case 'brush':
      case 'eraser':
        setDrag({ kind: 'stroke', points: [ip], erase: tool === 'eraser' });
        break;
      case 'rect':
        setDrag({ kind: 'rect', start: ip, end: ip });
        break;
      case 'extend': {
        const edge = nearestEdge(ip, doc.extend, w, h, 14 / viewport.scale);
        if (edge) setDrag({ kind: 'extend', edge, draft: draggedExtend(edge, ip, doc.extend, w, h) });
        break;
      }
      case 'crop': {
        const hit = cropDraft ? hitCrop(cropDraft, ip, 10 / viewport.scale, cropAspect) : null;
        if (cropDraft && hit === 'inside') setDrag({ kind: 'crop-move', start: ip, origin: cropDraft });
        else if (cropDraft && hit !== null && hit !== 'inside')
          setDrag({ kind: 'crop-resize', handle: hit, origin: cropDraft });
        else {
          setDrag({ kind: 'crop-new', anchor: ip });
          props.onCropDraft(null);
        }
        break;
      }
    }
  };

  const onMove = (event: Konva.KonvaEventObject<MouseEvent>) => {
    const p = pointerOf(event);
    if (!p) return;
    const ip = toImage(p);
    setCursor(ip);
    if (!drag) return;
    switch (drag.kind) {
      case 'pan':
        props.onViewport(panBy(viewport, p.x - drag.last.x, p.y - drag.last.y));
        setDrag({ kind: 'pan', last: p });
        break;
      case 'stroke': {
        const last = drag.points.at(-1);
        // Skip points closer than a screen pixel: they add size, not shape.
        if (last && Math.hypot(ip.x - last.x, ip.y - last.y) * viewport.scale < 1) return;
        setDrag({ ...drag, points: [...drag.points, ip] });
        break;
      }
      case 'rect':
        setDrag({ ...drag, end: ip });
        break;
      case 'extend':
        setDrag({ ...drag, draft: draggedExtend(drag.edge, ip, doc.extend, w, h) });
        break;
      case 'crop-new':
        props.onCropDraft(rectFromCorners(drag.anchor, ip, cropAspect, photo));
        break;
      case 'crop-resize':
        props.onCropDraft(resizeCrop(drag.origin, drag.handle, ip, cropAspect, photo));
        break;
      case 'crop-move':
        props.onCropDraft(moveCrop(drag.origin, ip.x - drag.start.x, ip.y - drag.start.y, photo));
        break;
    }
  };

  const onUp = () => {
    if (!drag) return;
    switch (drag.kind) {
      case 'stroke':
        props.perform('addStroke', {
          kind: 'stroke',
          points: drag.points,
          radius: props.brushRadius,
          erase: drag.erase,
        });
        break;
      case 'rect': {
        const x0 = Math.max(0, Math.min(drag.start.x, drag.end.x));
        const y0 = Math.max(0, Math.min(drag.start.y, drag.end.y));
        const x1 = Math.min(w, Math.max(drag.start.x, drag.end.x));
        const y1 = Math.min(h, Math.max(drag.start.y, drag.end.y));
        props.perform('addRect', { kind: 'rect', x: x0, y: y0, width: x1 - x0, height: y1 - y0 });
        break;
      }
      case 'extend':
        props.perform('setExtend', drag.draft);
        break;
      case 'crop-new':
      case 'crop-resize':
      case 'crop-move':
      case 'pan':
        break;
    }
    setDrag(null);
  };

  const onWheel = (event: Konva.KonvaEventObject<WheelEvent>) => {
    event.evt.preventDefault();
    const p = pointerOf(event);
    if (!p) return;
    props.onViewport(zoomAt(viewport, p, event.evt.deltaY < 0 ? 1.15 : 1 / 1.15));
  };

  // Preview of the corruption the task applies: content displaced (shift) or turned (rotate).
  const previewScale = region ? region.side / 128 : 1;
  const preview = RENDERER_TASKS[task].preview?.(doc) ?? { dx: 0, dy: 0, rotation: 0 };
  const shiftX = preview.dx * previewScale;
  const shiftY = preview.dy * previewScale;
  const { rotation } = preview;

  const cursorRadius = tool === 'brush' || tool === 'eraser' ? props.brushRadius : 0;
  const gridLines: number[][] = [];
  if (props.showGrid && region) {
    for (let i = 0; i <= GRID_SIDE; i++) {
      const t = (region.side / GRID_SIDE) * i;
      gridLines.push([region.x + t, region.y, region.x + t, region.y + region.side]);
      gridLines.push([region.x, region.y + t, region.x + region.side, region.y + t]);
    }
  }
  const rectDraft =
    drag?.kind === 'rect'
      ? {
          x: Math.min(drag.start.x, drag.end.x),
          y: Math.min(drag.start.y, drag.end.y),
          width: Math.abs(drag.end.x - drag.start.x),
          height: Math.abs(drag.end.y - drag.start.y),
        }
      : null;
  const group = { x: viewport.x, y: viewport.y, scaleX: viewport.scale, scaleY: viewport.scale };
  const ext = {
    x: -extend.left,
    y: -extend.top,
    width: w + extend.left + extend.right,
    height: h + extend.top + extend.bottom,
  };

  return (
    <Stage
      width={props.width}
      height={props.height}
      onMouseDown={onDown}
      onMouseMove={onMove}
      onMouseUp={onUp}
      onMouseLeave={() => {
        setCursor(null);
        onUp();
      }}
      onWheel={onWheel}
      style={{
        cursor: panning
          ? drag?.kind === 'pan'
            ? 'grabbing'
            : 'grab'
          : tool === 'extend'
            ? 'move'
            : 'crosshair',
      }}
    >
      <Layer listening={false} name="photo">
        <Group {...group}>
          {showExtend && hasExtend(extend) && <Rect {...ext} fill="#6b6f78" opacity={0.35} />}
          {html && (
            <KonvaImage
              image={html}
              {...(doc.crop
                ? {
                    // The displayed photo may be downscaled: the crop is in full-resolution px.
                    crop: {
                      x: doc.crop.x * image.displayScale,
                      y: doc.crop.y * image.displayScale,
                      width: doc.crop.width * image.displayScale,
                      height: doc.crop.height * image.displayScale,
                    },
                  }
                : {})}
              x={w / 2 + shiftX}
              y={h / 2 + shiftY}
              offsetX={w / 2}
              offsetY={h / 2}
              width={w}
              height={h}
              rotation={rotation}
            />
          )}
        </Group>
      </Layer>
      <Layer listening={false} name="mask">
        <Group {...group}>
          <KonvaImage image={raster.canvas} width={w} height={h} opacity={MASK_OPACITY} />
        </Group>
      </Layer>
      <Layer listening={false} name="token-grid">
        <Group {...group}>
          {gridLines.map((points, i) => (
            <Line key={i} points={points} stroke="#7fd1ff" strokeWidth={1 / viewport.scale} opacity={0.6} />
          ))}
          {props.showGrid && region && (
            <Rect
              x={region.x}
              y={region.y}
              width={region.side}
              height={region.side}
              stroke="#7fd1ff"
              strokeWidth={2 / viewport.scale}
            />
          )}
        </Group>
      </Layer>
      <Layer listening={false} name="tool-preview">
        <Group {...group}>
          {drag?.kind === 'stroke' && (
            <Line
              points={drag.points.flatMap((p) => [p.x, p.y])}
              stroke={drag.erase ? '#ffffff' : '#ff3b6b'}
              opacity={0.6}
              strokeWidth={props.brushRadius * 2}
              lineCap="round"
              lineJoin="round"
            />
          )}
          {rectDraft && (
            <Rect
              {...rectDraft}
              fill="#ff3b6b"
              opacity={0.4}
              stroke="#ff3b6b"
              strokeWidth={1 / viewport.scale}
            />
          )}
          {showExtend && (
            <Rect
              {...ext}
              stroke="#ffd166"
              dash={[6 / viewport.scale, 4 / viewport.scale]}
              strokeWidth={2 / viewport.scale}
            />
          )}
          {tool === 'extend' &&
            (
              [
                [ext.x, ext.y + ext.height / 2],
                [ext.x + ext.width, ext.y + ext.height / 2],
                [ext.x + ext.width / 2, ext.y],
                [ext.x + ext.width / 2, ext.y + ext.height],
              ] as const
            ).map(([x, y], i) => (
              <Rect
                key={i}
                x={x - handle}
                y={y - handle}
                width={handle * 2}
                height={handle * 2}
                fill="#ffd166"
              />
            ))}
          {cropDraft && tool === 'crop' && (
            <CropOverlay rect={cropDraft} width={w} height={h} scale={viewport.scale} aspect={cropAspect} />
          )}
          {cursor && cursorRadius > 0 && !panning && (
            <Circle
              x={cursor.x}
              y={cursor.y}
              radius={cursorRadius}
              stroke="#ffffff"
              strokeWidth={1 / viewport.scale}
              dash={[4 / viewport.scale, 3 / viewport.scale]}
            />
          )}
        </Group>
      </Layer>
    </Stage>
  );
}

/** The crop being drawn: the rest of the photo dimmed, a thirds grid, and the handles that resize it. */
function CropOverlay(props: {
  rect: CropRect;
  width: number;
  height: number;
  scale: number;
  aspect: CropAspect;
}) {
  const { rect, width, height, scale } = props;
  const x1 = rect.x + rect.width;
  const y1 = rect.y + rect.height;
  const shade = [
    { x: 0, y: 0, width, height: rect.y },
    { x: 0, y: y1, width, height: height - y1 },
    { x: 0, y: rect.y, width: rect.x, height: rect.height },
    { x: x1, y: rect.y, width: width - x1, height: rect.height },
  ];
  const thirds = [1, 2].flatMap((i) => [
    [rect.x + (rect.width * i) / 3, rect.y, rect.x + (rect.width * i) / 3, y1],
    [rect.x, rect.y + (rect.height * i) / 3, x1, rect.y + (rect.height * i) / 3],
  ]);
  const handle = 6 / scale;
  return (
    <>
      {shade.map((r, i) => (
        <Rect key={`shade-${i}`} {...r} fill="#000000" opacity={0.55} />
      ))}
      {thirds.map((points, i) => (
        <Line key={`third-${i}`} points={points} stroke="#ffffff" opacity={0.5} strokeWidth={1 / scale} />
      ))}
      <Rect {...rect} stroke="#ffffff" strokeWidth={2 / scale} />
      {handlesFor(props.aspect).map((name) => {
        const p = handlePoint(rect, name);
        return (
          <Rect
            key={name}
            x={p.x - handle}
            y={p.y - handle}
            width={handle * 2}
            height={handle * 2}
            fill="#ffffff"
            stroke="#1d2330"
            strokeWidth={1 / scale}
          />
        );
      })}
    </>
  );
}
