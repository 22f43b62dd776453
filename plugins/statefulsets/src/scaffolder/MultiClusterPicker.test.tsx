import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { multiClusterStatefulSetsApiRef } from '../api';
import {
  checkPick,
  MultiClusterPicker,
  PickedCluster,
} from './MultiClusterPicker';

const clusters = ['eu-central', 'eu-west', 'us-east', 'karmada'].map(name => ({
  name,
  region: `${name}-1`,
  zones: [],
  synced: true,
  servedKinds: [],
  federationHost: ({ 'eu-central': 'kubefed', karmada: 'karmada' } as const)[
    name as 'eu-central' | 'karmada'
  ],
}));

function renderPicker(formData?: PickedCluster[]) {
  const onChange = jest.fn();
  const api = {
    getTopology: jest.fn(),
    listClusters: jest.fn(async () => clusters),
  };
  const props = {
    formData,
    onChange,
    schema: { title: 'Clusters' },
    uiSchema: {},
    rawErrors: [],
    required: true,
    disabled: false,
    idSchema: { $id: 'clusters' },
  } as any;
  return renderInTestApp(
    <TestApiProvider apis={[[multiClusterStatefulSetsApiRef, api]]}>
      <MultiClusterPicker {...props} />
    </TestApiProvider>,
  ).then(() => ({ onChange, api }));
}

describe('MultiClusterPicker', () => {
  it('offers the configured clusters and defaults to active/passive', async () => {
    const { onChange, api } = await renderPicker();
    expect(
      await screen.findByText('eu-central-1 · kubefed host'),
    ).toBeInTheDocument();
    // The Karmada API server runs no database: it is not offered.
    expect(screen.queryByText('karmada')).not.toBeInTheDocument();
    expect(api.listClusters).toHaveBeenCalled();
    await waitFor(() =>
      expect(onChange).toHaveBeenCalledWith([
        { name: 'eu-central', role: 'active', weight: 100, replicas: 3 },
        { name: 'eu-west', role: 'passive', weight: 0, replicas: 3 },
      ]),
    );
  });

  it('adds a cluster and reports weights that do not add up', async () => {
    const picked: PickedCluster[] = [
      { name: 'eu-central', role: 'active', weight: 60, replicas: 3 },
    ];
    const { onChange } = await renderPicker(picked);
    expect(
      await screen.findByText(
        'Traffic weights add up to 60; make them add up to 100.',
      ),
    ).toBeInTheDocument();
    await userEvent.click(
      screen.getByRole('checkbox', { name: 'Use us-east' }),
    );
    expect(onChange).toHaveBeenLastCalledWith([
      ...picked,
      { name: 'us-east', role: 'passive', weight: 0, replicas: 3 },
    ]);
  });

  it('checks a pick', () => {
    expect(checkPick([])).toBe('Choose at least one cluster.');
    expect(
      checkPick([{ name: 'a', role: 'active', weight: 100, replicas: 1 }]),
    ).toBeUndefined();
  });
});

describe('MultiClusterPicker defaults', () => {
  it('replaces placeholder items made up by the form with the default pick', async () => {
    const { onChange } = await renderPicker([{ replicas: 3 } as any]);
    await waitFor(() =>
      expect(onChange).toHaveBeenCalledWith([
        { name: 'eu-central', role: 'active', weight: 100, replicas: 3 },
        { name: 'eu-west', role: 'passive', weight: 0, replicas: 3 },
      ]),
    );
  });
});

describe('MultiClusterPicker in development mode', () => {
  it('renders a row per cluster without React or Material-UI errors', async () => {
    const errors = jest.spyOn(console, 'error').mockImplementation(() => {});
    try {
      await renderPicker([
        { name: 'eu-central', role: 'active', weight: 50, replicas: 3 },
        { name: 'eu-west', role: 'active', weight: 50, replicas: 3 },
      ]);
      expect(
        await screen.findByRole('button', { name: /Role in us-east/ }),
      ).toBeInTheDocument();
      await userEvent.click(
        screen.getByRole('checkbox', { name: 'Use us-east' }),
      );
      // Material-UI 4's own transitions call findDOMNode, which React warns
      // about once per process under StrictMode; nothing in this component can
      // change that, everything else is ours.
      expect(
        errors.mock.calls
          .map(args => String(args[0]))
          .filter(message => !message.includes('findDOMNode is deprecated')),
      ).toEqual([]);
    } finally {
      errors.mockRestore();
    }
  });
});
