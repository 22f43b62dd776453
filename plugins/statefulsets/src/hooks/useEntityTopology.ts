/*
 * Keeps an entity's topology current without ever flashing a spinner: the
 * first load shows progress, later refreshes swap the data in place. Updates
 * arrive through Backstage signals (the payload is the new ETag); where the
 * signals plugin is not installed the hook polls with If-None-Match instead.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import {
  CompoundEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import { useSignal } from '@backstage/plugin-signals-react';
import {
  EntityTopology,
  topologySignalChannel,
} from '@multicluster/backstage-plugin-statefulsets-common';
import { multiClusterStatefulSetsApiRef } from '../api';

/** How often to poll when signals are not available. */
export const POLL_INTERVAL_MS = 2000;
/** With signals, a slow conditional poll still catches a missed signal. */
export const SAFETY_POLL_INTERVAL_MS = 30000;

/** State of an entity's live topology. */
export interface EntityTopologyState {
  topology?: EntityTopology;
  /** True only until the first answer (or error) arrives. */
  loading: boolean;
  /** The last error; with `topology` set, the shown data is from before it. */
  error?: Error;
  /** Whether changes are pushed (signals) or polled. */
  live: 'signals' | 'polling';
  /** Re-reads the topology now. */
  refresh(): void;
}

/** Live topology of one entity. */
export function useEntityTopology(
  entityRef: CompoundEntityRef,
): EntityTopologyState {
  const api = useApi(multiClusterStatefulSetsApiRef);
  const ref = stringifyEntityRef(entityRef);
  const { lastSignal, isSignalsAvailable } = useSignal<{ etag?: string }>(
    topologySignalChannel(ref),
  );
  const [topology, setTopology] = useState<EntityTopology>();
  const [error, setError] = useState<Error>();
  const [loading, setLoading] = useState(true);
  const etag = useRef<string>();
  const inFlight = useRef<AbortController>();

  const load = useCallback(async () => {
    inFlight.current?.abort();
    const controller = new AbortController();
    inFlight.current = controller;
    try {
      const res = await api.getTopology(entityRef, {
        etag: etag.current,
        signal: controller.signal,
      });
      if (controller.signal.aborted) return;
      etag.current = res.etag;
      if (!res.notModified) setTopology(res.topology);
      setError(undefined);
    } catch (e) {
      if (controller.signal.aborted) return;
      setError(e as Error);
    } finally {
      if (!controller.signal.aborted) setLoading(false);
    }
    // entityRef is compared through its string form
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, ref]);

  useEffect(() => {
    etag.current = undefined;
    setLoading(true);
    setTopology(undefined);
    load();
    return () => inFlight.current?.abort();
  }, [load]);

  useEffect(() => {
    if (lastSignal && lastSignal.etag !== etag.current) load();
  }, [lastSignal, load]);

  useEffect(() => {
    const timer = setInterval(
      load,
      isSignalsAvailable ? SAFETY_POLL_INTERVAL_MS : POLL_INTERVAL_MS,
    );
    return () => clearInterval(timer);
  }, [isSignalsAvailable, load]);

  return {
    topology,
    loading,
    error,
    live: isSignalsAvailable ? 'signals' : 'polling',
    refresh: load,
  };
}
