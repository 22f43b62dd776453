import { act, renderHook, waitFor } from '@testing-library/react';
import { TestApiProvider } from '@backstage/test-utils';
import { PropsWithChildren } from 'react';
import { mysqlTopology } from '../__fixtures__/topology';
import { multiClusterStatefulSetsApiRef } from '../api';
import { POLL_INTERVAL_MS, useEntityTopology } from './useEntityTopology';

const ref = { kind: 'Component', namespace: 'default', name: 'orders-mysql' };

describe('useEntityTopology', () => {
  afterEach(() => jest.useRealTimers());

  it('polls with If-None-Match when signals are not installed', async () => {
    jest.useFakeTimers();
    const api = {
      getTopology: jest.fn(async (_r: unknown, options?: { etag?: string }) =>
        options?.etag === '"1"'
          ? { notModified: true as const, etag: '"1"' }
          : {
              notModified: false as const,
              etag: '"1"',
              topology: mysqlTopology(),
            },
      ),
      listClusters: jest.fn(),
    };
    const wrapper = ({ children }: PropsWithChildren) => (
      <TestApiProvider apis={[[multiClusterStatefulSetsApiRef, api]]}>
        {children}
      </TestApiProvider>
    );
    const { result } = renderHook(() => useEntityTopology(ref), { wrapper });
    await waitFor(() => expect(result.current.topology).toBeDefined());
    expect(result.current.live).toBe('polling');
    const first = result.current.topology;

    await act(async () => {
      jest.advanceTimersByTime(POLL_INTERVAL_MS);
    });
    await waitFor(() => expect(api.getTopology).toHaveBeenCalledTimes(2));
    expect(api.getTopology.mock.calls[1][1]).toMatchObject({ etag: '"1"' });
    expect(result.current.topology).toBe(first);
    expect(result.current.loading).toBe(false);
  });
});
