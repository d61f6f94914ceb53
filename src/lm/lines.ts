// Lines of an in-memory text (files are read line by line in src/node/lines.ts, with the same conventions).

/** Calls `onLine` for each line of an in-memory text (same conventions as readLines). */
export function forEachLine(text: string, onLine: (line: string, lineNo: number) => void): number {
  let lineNo = 0;
  let start = 0;
  if (text.charCodeAt(0) === 0xfeff) start = 1;
  while (start < text.length) {
    const nl = text.indexOf('\n', start);
    const end = nl < 0 ? text.length : nl;
    let stop = end;
    if (stop > start && text.charCodeAt(stop - 1) === 13) stop--;
    lineNo++;
    onLine(text.slice(start, stop), lineNo);
    start = end + 1;
  }
  return lineNo;
}
