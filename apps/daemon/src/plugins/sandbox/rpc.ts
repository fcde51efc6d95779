import { fromWireError, type Message, toWireError, type WireError } from './protocol.ts';

type Handler = (...args: never[]) => unknown;

export interface RpcOptions {
  /** Sends one message to the other side. May throw (a value that cannot be cloned). */
  post(message: Message): void;
  /** How an error leaves this side; the default keeps class name, message and fields. */
  encodeError?(error: unknown): WireError;
  /** How an error from the other side is rebuilt here. */
  decodeError?(wire: WireError): Error;
}

/**
 * Requests and answers in both directions over one port: each side handles the other's requests
 * by method name and awaits its own by id. The same class runs in the daemon and in the worker.
 */
export class RpcEndpoint {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: unknown): void }>();
  private readonly handlers = new Map<string, Handler>();
  private readonly notes = new Map<string, Handler>();
  private closedWith: unknown = null;
  /** Requests from the other side this side is still working on. */
  handling = 0;

  constructor(private readonly options: RpcOptions) {}

  /** Requests of ours not answered yet. */
  get awaiting(): number {
    return this.pending.size;
  }

  handle<A extends unknown[]>(method: string, handler: (...args: A) => unknown): void {
    this.handlers.set(method, handler as Handler);
  }

  onNote<A extends unknown[]>(method: string, handler: (...args: A) => void): void {
    this.notes.set(method, handler as Handler);
  }

  request<T = unknown>(method: string, args: unknown[]): Promise<T> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      try {
        this.options.post({ k: 'req', id, m: method, a: args });
      } catch (error) {
        this.pending.delete(id);
        reject(error);
      }
    });
  }

  notify(method: string, args: unknown[]): void {
    if (this.closedWith) return;
    try {
      this.options.post({ k: 'note', m: method, a: args });
    } catch {
      // a note that cannot be sent (the other side is gone, or the value cannot be cloned) is dropped
    }
  }

  /** The other side is gone: every request still waiting rejects with `error`, and so will new ones. */
  close(error: unknown): void {
    this.closedWith ??= error;
    for (const { reject } of this.pending.values()) reject(this.closedWith);
    this.pending.clear();
  }

  receive(message: Message): void {
    if (message.k === 'res') {
      const waiting = this.pending.get(message.id);
      if (!waiting) return;
      this.pending.delete(message.id);
      if (message.ok) waiting.resolve(message.v);
      else waiting.reject((this.options.decodeError ?? fromWireError)(message.e));
      return;
    }
    if (message.k === 'note') {
      this.notes.get(message.m)?.(...(message.a as never[]));
      return;
    }
    void this.answer(message.id, message.m, message.a);
  }

  private async answer(id: number, method: string, args: unknown[]): Promise<void> {
    this.handling++;
    let reply: Message;
    try {
      const handler = this.handlers.get(method);
      if (!handler) throw new Error(`unknown request ${method}`);
      reply = { k: 'res', id, ok: true, v: await handler(...(args as never[])) };
    } catch (error) {
      reply = { k: 'res', id, ok: false, e: this.encode(error) };
    } finally {
      this.handling--;
    }
    if (this.closedWith) return;
    try {
      this.options.post(reply);
    } catch (error) {
      // the answer cannot be cloned (a function, a symbol…): answer with why instead
      this.options.post({ k: 'res', id, ok: false, e: this.encode(error) });
    }
  }

  private encode(error: unknown): WireError {
    return (this.options.encodeError ?? toWireError)(error);
  }
}
