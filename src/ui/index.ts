export { uiPlugin, type UiOptions } from './widget';
