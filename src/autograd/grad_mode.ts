let enabled = true;

/** Whether ops record their history for backward(). */
export function isGradEnabled(): boolean {
  return enabled;
}

/** Runs fn with recording set to `mode`, restoring the previous mode afterwards (even on throw). */
function withGradMode<T>(mode: boolean, fn: () => T): T {
  const prev = enabled;
  enabled = mode;
  try {
    return fn();
  } finally {
    enabled = prev;
  }
}

/** Runs fn without recording history (inference, optimizer updates); restores the mode after. */
export function noGrad<T>(fn: () => T): T {
  return withGradMode(false, fn);
}

/** Runs fn with history recording on, even inside noGrad. */
export function enableGrad<T>(fn: () => T): T {
  return withGradMode(true, fn);
}
