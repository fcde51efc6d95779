import { contextBridge, ipcRenderer } from 'electron';
import { type DesktopBridge, IPC_CHANNELS } from '../shared/ipc.ts';

// The renderer's only door to the main process: three calls, no Node, no token. Built as CommonJS
// because a sandboxed preload cannot be an ES module.
const bridge: DesktopBridge = {
  platform: process.platform,
  getConnection: () => ipcRenderer.invoke(IPC_CHANNELS.getConnection),
  setDaemonUrl: (url: string) => ipcRenderer.invoke(IPC_CHANNELS.setDaemonUrl, url),
  forgetDaemon: () => ipcRenderer.invoke(IPC_CHANNELS.forgetDaemon),
};

contextBridge.exposeInMainWorld('opsDesktop', bridge);
