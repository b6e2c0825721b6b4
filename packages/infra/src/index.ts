export * from './object-store.ts';
export * from './event-bus.ts';
export * from './checkpoint-store.ts';
export * from './database.ts';
