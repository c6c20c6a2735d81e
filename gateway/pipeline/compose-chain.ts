import type { RequestContext, Stage } from './request-context.js';

export type Chain<C extends RequestContext = RequestContext> = (ctx: C) => Promise<void>;

/**
 * Chain stages once, at config load (undici's interceptor habit): a route carries only the
 * stages it needs, and per request there is no array walk or closure creation.
 */
export function composeChain<C extends RequestContext>(stages: readonly Stage<C>[]): Chain<C> {
  const done = () => Promise.resolve();
  let next: Chain<C> = () => done();
  for (let i = stages.length - 1; i >= 0; i--) {
    const stage = stages[i]!;
    const after = next;
    next = (ctx) => stage(ctx, () => after(ctx));
  }
  return next;
}
