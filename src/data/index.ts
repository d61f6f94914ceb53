/** Datasets, the DataLoader and transforms (platform-free; datasets on disk are in `nerva/node`). */
export { TensorDataset, ByteImageDataset, Subset, take, type Dataset, type Sample, type Transform } from './dataset.js';
export { DataLoader, type DataLoaderOptions, type Batch, type DataLoaderState } from './dataloader.js';
export * from './transforms.js';
