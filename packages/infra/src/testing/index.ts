export * from './postgres-schema.ts';
