export type { ToolSpec, ToolRunContext, LocalToolFn } from './tool-spec.ts';
