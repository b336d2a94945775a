import { useEffect, useLayoutEffect, useRef } from 'react';
import { dispatchKey, releaseKey, type DispatchedScope, type ScopeHandlers } from './actions';
import { isTyping } from './typing';

/**
 * Binds the keyboard actions of `scope` to window key events for as long as the calling component is mounted.
 * The handlers may change on every render: the latest ones run.
 */
export function useKeyboardScope<S extends DispatchedScope>(
  scope: S,
  handlers: NoInfer<ScopeHandlers<S>>,
): void {
  const latest = useRef(handlers);
  useLayoutEffect(() => {
    latest.current = handlers;
  });
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => dispatchKey(scope, event, latest.current, isTyping);
    const onKeyUp = (event: KeyboardEvent) => releaseKey(scope, event, latest.current);
    window.addEventListener('keydown', onKeyDown);
    window.addEventListener('keyup', onKeyUp);
    return () => {
      window.removeEventListener('keydown', onKeyDown);
      window.removeEventListener('keyup', onKeyUp);
    };
  }, [scope]);
}
