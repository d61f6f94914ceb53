let enabled = true;

/** Whether ops record their history for backward(). */
export function isGradEnabled(): boolean {
  return enabled;
}

/** Runs fn without recording history (inference, optimizer updates); restores the mode after. */
export function noGrad<T>(fn: () => T): T {
  const prev = enabled;
  enabled = false;
  try {
    return fn();
  } finally {
    enabled = prev;
  }
}

/** Runs fn with history recording on, even inside noGrad. */
export function enableGrad<T>(fn: () => T): T {
  const prev = enabled;
  enabled = true;
  try {
    return fn();
  } finally {
    enabled = prev;
  }
}
