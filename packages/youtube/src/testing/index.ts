export * from './fake-google-oauth.ts';
export * from './fake-youtube.ts';
export * from './fake-google.ts';
