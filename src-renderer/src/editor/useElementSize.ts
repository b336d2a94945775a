import { useEffect, useState } from 'react';

/** Tracks the pixel size of a container element so the stage always fills it. */
export function useElementSize(ref: React.RefObject<HTMLElement | null>) {
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

/** Loads a data URL into an HTMLImageElement for Konva; null until it has decoded. */
export function useHtmlImage(src: string): HTMLImageElement | null {
  const [loaded, setLoaded] = useState<{ src: string; element: HTMLImageElement } | null>(null);
  useEffect(() => {
    const element = new window.Image();
    element.onload = () => setLoaded({ src, element });
    element.src = src;
    return () => {
      element.onload = null;
    };
  }, [src]);
  return loaded?.src === src ? loaded.element : null;
}
