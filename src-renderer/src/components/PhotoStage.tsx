import { useEffect, useRef, useState } from 'react';
import { Image as KonvaImage, Layer, Stage } from 'react-konva';
import type { OpenedImage } from '../../../src-preload/contract/api';

/** Loads a data URL into an HTMLImageElement for Konva; null until it has decoded. */
function useHtmlImage(src: string): HTMLImageElement | null {
  const [image, setImage] = useState<HTMLImageElement | null>(null);
  useEffect(() => {
    const element = new window.Image();
    element.onload = () => setImage(element);
    element.src = src;
    return () => {
      element.onload = null;
    };
  }, [src]);
  return image;
}

/** Tracks the pixel size of a container element so the stage always fills it. */
function useElementSize(ref: React.RefObject<HTMLElement | null>) {
  const [size, setSize] = useState({ width: 0, height: 0 });
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const observer = new ResizeObserver(([entry]) => {
      if (entry) setSize({ width: entry.contentRect.width, height: entry.contentRect.height });
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [ref]);
  return size;
}

/** The photo on a Konva stage, fitted to the available space. */
export function PhotoStage({ image }: { image: OpenedImage }) {
  const container = useRef<HTMLDivElement>(null);
  const size = useElementSize(container);
  const html = useHtmlImage(image.displayUrl);
  const fit = html ? Math.min(size.width / html.width, size.height / html.height, 1 / image.displayScale) : 1;
  const width = html ? html.width * fit : 0;
  const height = html ? html.height * fit : 0;

  return (
    <div
      ref={container}
      className="stage-container"
      data-testid="photo-stage"
      data-loaded={html ? 'true' : 'false'}
    >
      {size.width > 0 && (
        <Stage width={size.width} height={size.height}>
          <Layer>
            {html && (
              <KonvaImage
                image={html}
                x={(size.width - width) / 2}
                y={(size.height - height) / 2}
                width={width}
                height={height}
              />
            )}
          </Layer>
        </Stage>
      )}
    </div>
  );
}
