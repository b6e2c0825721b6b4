export * from './errors.ts';
export * from './validation.ts';
export * from './logger.ts';
export * from './stage.ts';
export * from './retry.ts';
export * from './process.ts';
