/*
 * client-node's Watch with what a long-lived cache needs on top: bookmarks
 * requested, a server-side timeout so connections rotate, an idle guard
 * that ends a watch which has gone silent (a hung connection never errors
 * on its own), and objects trimmed before they reach the informer's store.
 */
import { KubeConfig, Watch } from '@kubernetes/client-node';
import { ClusterObjects } from '@multicluster/backstage-plugin-statefulsets-common';
import { ClusterRequestError } from './ClusterRequestError';
import { slimObject } from './slimObject';

/** A Watch that trims objects and restarts when idle. */
export class GuardedWatch extends Watch {
  readonly #kubeConfig: () => Promise<KubeConfig>;
  readonly #key: keyof ClusterObjects;
  readonly #idleMs: number;
  readonly #onEvent: () => void;

  /**
   * `kubeConfig` gives the current credentials, asked for at each
   * (re)connection so a rotated token is picked up. `onEvent` is called on
   * every event, bookmarks included: proof the watch is healthy.
   */
  constructor(
    kubeConfig: () => Promise<KubeConfig>,
    key: keyof ClusterObjects,
    idleMs: number,
    onEvent: () => void = () => {},
  ) {
    super(new KubeConfig());
    this.#kubeConfig = kubeConfig;
    this.#key = key;
    this.#idleMs = idleMs;
    this.#onEvent = onEvent;
  }

  override async watch(
    path: string,
    queryParams: Record<string, string | number | boolean | undefined>,
    callback: (phase: string, apiObj: any, watchObj?: any) => void,
    done: (err: any) => void,
  ): Promise<AbortController> {
    this.config = await this.#kubeConfig();
    let finished = false;
    let timer: NodeJS.Timeout | undefined;
    const state: { inner?: AbortController } = {};
    const finish = (err: unknown) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      state.inner?.abort();
      done(err);
    };
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(
        () =>
          finish(
            new ClusterRequestError('timeout', `watch of ${path} went silent`),
          ),
        this.#idleMs,
      );
      timer.unref?.();
    };
    arm();
    const controller = new AbortController();
    controller.signal.addEventListener('abort', () => {
      finished = true;
      clearTimeout(timer);
      state.inner?.abort();
    });
    const inner = await super.watch(
      path,
      {
        ...queryParams,
        allowWatchBookmarks: true,
        // Between half and three quarters of the idle guard, at random as
        // kube-apiserver does: watches started together do not all
        // reconnect in the same second.
        timeoutSeconds: Math.max(
          1,
          Math.floor((this.#idleMs / 2000) * (1 + Math.random() / 2)),
        ),
      },
      (phase, obj, raw) => {
        if (finished) return;
        arm();
        this.#onEvent();
        const slim =
          phase === 'ADDED' || phase === 'MODIFIED' || phase === 'DELETED'
            ? slimObject(this.#key, obj)
            : obj;
        callback(phase, slim, raw);
      },
      err => finish(err),
    );
    state.inner = inner;
    if (finished) inner.abort();
    return controller;
  }
}
