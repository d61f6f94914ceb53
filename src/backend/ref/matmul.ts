import type { FloatArray, MatmulParams } from '../backend.js';

/**
 * matmul_ref: C (batch, m, n) = A · B for each batch entry (or C += A · B when p.accumulate).
 *
 * - A: element (i, q) of batch entry t is a[t·aBatchStride + i·k + q], or a[t·aBatchStride + q·m + i]
 *   when transA (A stored (k, m)). B: element (q, j) is b[t·bBatchStride + q·n + j], or
 *   b[t·bBatchStride + j·k + q] when transB (B stored (n, k)). A batch stride of 0 broadcasts.
 * - C is dense: element (t, i, j) is c[(t·m + i)·n + j].
 * - Sums are accumulated in float64 whatever the array type, then stored once.
 * - c must not alias a or b. k = 0 gives zeros (or leaves C unchanged when accumulating).
 */
export function matmul(a: FloatArray, b: FloatArray, c: FloatArray, p: MatmulParams): void {
  const { batch, m, n, k, transA, transB, aBatchStride, bBatchStride } = p;
  const accumulate = p.accumulate === true;
  // A(i, q) = a[aBase + i·aRow + q·aCol]
  const aRow = transA ? 1 : k;
  const aCol = transA ? m : 1;
  // One float64 row of C, reused for every row (scratch, not a tensor).
  const acc = transB ? null : new Float64Array(n);
  for (let t = 0; t < batch; t++) {
    const aBase = t * aBatchStride;
    const bBase = t * bBatchStride;
    const cBase = t * m * n;
    for (let i = 0; i < m; i++) {
      const aI = aBase + i * aRow;
      const cI = cBase + i * n;
      if (acc !== null) {
        // B row-major (k, n): C row i = Σ_q A(i, q) · B row q — the inner loop runs along contiguous rows.
        acc.fill(0);
        for (let q = 0; q < k; q++) {
          const av = a[aI + q * aCol];
          const bQ = bBase + q * n;
          for (let j = 0; j < n; j++) acc[j] += av * b[bQ + j];
        }
        if (accumulate) for (let j = 0; j < n; j++) c[cI + j] += acc[j];
        else for (let j = 0; j < n; j++) c[cI + j] = acc[j];
      } else {
        // B stored (n, k): C(i, j) = dot(A row i, row j of the stored B), contiguous in B.
        for (let j = 0; j < n; j++) {
          const bJ = bBase + j * k;
          let s = 0;
          for (let q = 0; q < k; q++) s += a[aI + q * aCol] * b[bJ + q];
          if (accumulate) c[cI + j] += s;
          else c[cI + j] = s;
        }
      }
    }
  }
}
