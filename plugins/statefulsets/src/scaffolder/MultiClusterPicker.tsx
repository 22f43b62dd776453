/*
 * A Software Template form field that picks the clusters of a new
 * multi-cluster database from the clusters the backend is configured with
 * (never a hard-coded list), with each cluster's role, traffic weight and
 * replica count. Its value is what `multicluster:statefulset:generate`
 * takes as `clusters`.
 */
import { useEffect } from 'react';
import useAsync from 'react-use/esm/useAsync';
import Checkbox from '@material-ui/core/Checkbox';
import FormControl from '@material-ui/core/FormControl';
import FormHelperText from '@material-ui/core/FormHelperText';
import FormLabel from '@material-ui/core/FormLabel';
import MenuItem from '@material-ui/core/MenuItem';
import Select from '@material-ui/core/Select';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import TextField from '@material-ui/core/TextField';
import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import { ClusterHealth } from '@multicluster/backstage-plugin-statefulsets-common';
import { multiClusterStatefulSetsApiRef } from '../api';

/** One chosen cluster, as the generate action takes it. */
export interface PickedCluster {
  name: string;
  role: 'active' | 'passive';
  weight: number;
  replicas: number;
}

/** Default choice: the first two clusters, active 100 / passive 0. */
export function defaultPick(clusters: ClusterHealth[]): PickedCluster[] {
  return clusters.slice(0, 2).map((c, i) => ({
    name: c.name,
    role: i === 0 ? 'active' : 'passive',
    weight: i === 0 ? 100 : 0,
    replicas: 3,
  }));
}

/** What is wrong with a pick, in words, or undefined when it is fine. */
export function checkPick(picked: PickedCluster[]): string | undefined {
  if (picked.length === 0) return 'Choose at least one cluster.';
  const sum = picked.reduce((total, c) => total + c.weight, 0);
  if (sum !== 100) {
    return `Traffic weights add up to ${sum}; make them add up to 100.`;
  }
  return undefined;
}

/** The form field component. */
export function MultiClusterPicker(
  props: FieldExtensionComponentProps<PickedCluster[]>,
) {
  const { formData, onChange, schema, rawErrors, required, disabled } = props;
  const api = useApi(multiClusterStatefulSetsApiRef);
  const {
    value: clusters,
    loading,
    error,
  } = useAsync(
    async () =>
      // The Karmada API server holds policies and templates; no database runs there.
      (await api.listClusters()).filter(c => c.federationHost !== 'karmada'),
    [api],
  );

  // The form may start with nothing, or with placeholder items that the
  // schema's `minItems` made up: both mean "not chosen yet".
  const chosen = (formData ?? []).filter(
    c => typeof c?.name === 'string' && c.name !== '',
  );
  const unset = chosen.length === 0;
  useEffect(() => {
    if (clusters && unset) onChange(defaultPick(clusters));
  }, [clusters, unset, onChange]);

  if (loading) return <Progress />;
  if (error) return <ResponseErrorPanel error={error} />;
  const picked = chosen;
  const byName = new Map(picked.map(c => [c.name, c]));
  const update = (name: string, change: Partial<PickedCluster> | null) => {
    const next = (clusters ?? []).flatMap(c => {
      const current = byName.get(c.name);
      if (c.name !== name) return current ? [current] : [];
      if (change === null) return [];
      return [
        {
          name,
          role: 'passive' as const,
          weight: 0,
          replicas: 3,
          ...current,
          ...change,
        },
      ];
    });
    onChange(next);
  };
  const problem = checkPick(picked);

  return (
    <FormControl
      fullWidth
      required={required}
      error={!!rawErrors?.length}
      component="fieldset"
    >
      <FormLabel component="legend">{schema.title ?? 'Clusters'}</FormLabel>
      <Table size="small" aria-label="Clusters">
        <TableHead>
          <TableRow>
            <TableCell>Use</TableCell>
            <TableCell>Cluster</TableCell>
            <TableCell>Role</TableCell>
            <TableCell>Traffic %</TableCell>
            <TableCell>Replicas</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {(clusters ?? []).map(c => {
            const pick = byName.get(c.name);
            return (
              <TableRow key={c.name}>
                <TableCell padding="checkbox">
                  <Checkbox
                    checked={!!pick}
                    disabled={disabled}
                    inputProps={{ 'aria-label': `Use ${c.name}` }}
                    onChange={e => update(c.name, e.target.checked ? {} : null)}
                  />
                </TableCell>
                <TableCell>
                  {c.name}
                  <FormHelperText error={false}>
                    {[c.region, c.federationHost && `${c.federationHost} host`]
                      .filter(Boolean)
                      .join(' · ')}
                    {!c.synced && ' · not synced'}
                  </FormHelperText>
                </TableCell>
                <TableCell>
                  {/* Each row's Select needs a FormControl of its own: inputs
                      sharing the outer one would share its focus, filled and
                      error state (and MUI warns about it in development). */}
                  <FormControl size="small" disabled={!pick || disabled}>
                    <Select
                      value={pick?.role ?? 'passive'}
                      disabled={!pick || disabled}
                      inputProps={{ 'aria-label': `Role in ${c.name}` }}
                      onChange={e =>
                        update(c.name, {
                          role: e.target.value as PickedCluster['role'],
                        })
                      }
                    >
                      <MenuItem value="active">active</MenuItem>
                      <MenuItem value="passive">passive</MenuItem>
                    </Select>
                  </FormControl>
                </TableCell>
                <TableCell>
                  <TextField
                    type="number"
                    value={pick?.weight ?? 0}
                    disabled={!pick || disabled}
                    inputProps={{
                      min: 0,
                      max: 100,
                      'aria-label': `Traffic weight of ${c.name}`,
                    }}
                    onChange={e =>
                      update(c.name, { weight: Number(e.target.value) })
                    }
                  />
                </TableCell>
                <TableCell>
                  <TextField
                    type="number"
                    value={pick?.replicas ?? 3}
                    disabled={!pick || disabled}
                    inputProps={{
                      min: 1,
                      'aria-label': `Replicas in ${c.name}`,
                    }}
                    onChange={e =>
                      update(c.name, { replicas: Number(e.target.value) })
                    }
                  />
                </TableCell>
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
      <FormHelperText error={!!problem}>
        {problem ?? schema.description ?? 'Clusters configured in the portal.'}
      </FormHelperText>
    </FormControl>
  );
}

/** Blocks a step while the pick is incomplete. */
export function validateMultiClusterPick(
  value: PickedCluster[] | undefined,
  validation: { addError(message: string): void },
) {
  const problem = checkPick(value ?? []);
  if (problem) validation.addError(problem);
}
