export { Module, Parameter, type StateDict } from './module.js';
export { Linear, type LinearOptions } from './linear.js';
export { Sequential, ModuleList } from './container.js';
export * as init from './init.js';
