export * from './postgres-schema.ts';
export * from './test-database.ts';
