export { youtubeStateMigrations } from './migrations.ts';
export { ChannelTable } from './channel-table.ts';
export { QuotaTable } from './quota-table.ts';
export { ChannelVideoTable } from './video-table.ts';
export { SlotTable, type SlotReservation } from './slot-table.ts';
export { PipelineRecordTable } from './pipeline-record-table.ts';
export { importJsonState, type StateImport } from './json-import.ts';
export { openChannelStore, openYouTubeState, openYouTubeStateFromEnv, type YouTubeState } from './youtube-state.ts';
