export { type BoardRecord, BoardRegistry } from './registry.ts'
export { type BoardStore, openBoardStore, deleteBoardData, boardDatabaseName } from './board-store.ts'
export { type DeviceSettings, type IceServer, DEFAULT_SETTINGS, loadSettings, saveSettings, parseSettings } from './settings.ts'
