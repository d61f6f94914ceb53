// Images and classic filters. Browser-safe: file reading is in './io.js' (Node only), PNG/JPEG
// bytes in './codec.js' (pngjs needs Node's zlib; in a browser decode through a canvas).
export * from './image.js';
export * from './filters.js';
