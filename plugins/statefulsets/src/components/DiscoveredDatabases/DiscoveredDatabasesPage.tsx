/*
 * "Not in the catalog yet": the databases discovery found running in two or
 * more of the configured clusters whose suggested entity the catalog does
 * not hold, each with its clusters, how its objects were grouped, why it is
 * not registered, and the entity YAML a user could register by hand.
 */
import { useApi } from '@backstage/core-plugin-api';
import {
  CodeSnippet,
  Content,
  EmptyState,
  InfoCard,
  Progress,
  ResponseErrorPanel,
  WarningPanel,
} from '@backstage/core-components';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { Box, Chip, Grid, Typography } from '@material-ui/core';
import useAsync from 'react-use/esm/useAsync';
import { multiClusterStatefulSetsApiRef } from '../../api';
import {
  notInCatalogYet,
  NotInCatalogRow,
  suggestedEntityYaml,
} from './notInCatalog';

function Candidate({ row }: { row: NotInCatalogRow }) {
  const { item, why } = row;
  return (
    <InfoCard
      title={item.name}
      subheader={`${item.engine} · namespace ${item.namespace} · grouped by ${item.groupedBy}`}
    >
      <Box mb={1}>
        {item.clusters.map(cluster => (
          <Chip key={cluster} size="small" label={cluster} />
        ))}
      </Box>
      <Typography variant="body2" gutterBottom>
        Found as{' '}
        {item.objects
          .map(o => `${o.kind} ${o.namespace}/${o.name} in ${o.cluster}`)
          .join('; ')}
        .
      </Typography>
      <Typography variant="body2" color="error" gutterBottom>
        Why it is not registered: {why}
      </Typography>
      <Typography variant="subtitle2">
        Suggested entity ({item.entityRef})
      </Typography>
      <CodeSnippet
        text={suggestedEntityYaml(item)}
        language="yaml"
        showCopyCodeButton
      />
    </InfoCard>
  );
}

/** The page listing discovered databases that are not in the catalog yet. */
export function DiscoveredDatabasesPage() {
  const api = useApi(multiClusterStatefulSetsApiRef);
  const catalogApi = useApi(catalogApiRef);
  const state = useAsync(async () => {
    if (!api.listDiscoveredDatabases) {
      throw new Error(
        'This app’s multi-cluster StatefulSets API does not list discovered databases',
      );
    }
    const answer = await api.listDiscoveredDatabases();
    const refs = answer.items.map(i => i.entityRef);
    const found = refs.length
      ? await catalogApi.getEntitiesByRefs({
          entityRefs: refs,
          fields: ['kind', 'metadata.name', 'metadata.namespace'],
        })
      : { items: [] };
    const present = new Set(
      refs.filter((_, i) => found.items[i]).map(r => r.toLocaleLowerCase()),
    );
    return {
      answer,
      rows: notInCatalogYet(answer, ref =>
        present.has(ref.toLocaleLowerCase()),
      ),
    };
  }, [api, catalogApi]);

  if (state.loading) return <Progress />;
  if (state.error) return <ResponseErrorPanel error={state.error} />;
  const { answer, rows } = state.value!;
  if (!answer.enabled) {
    return (
      <Content>
        <EmptyState
          missing="info"
          title="Discovery is off"
          description="Set multiclusterStatefulsets.discovery.enabled in the backend's configuration to look for databases that run in several clusters without a catalog entity."
        />
      </Content>
    );
  }
  const failing = answer.clusters.filter(c => c.error);
  return (
    <Content>
      <Typography variant="body1" paragraph>
        Databases running in two or more of the configured clusters (
        {answer.clusters.map(c => c.name).join(', ')}) whose entity is not in
        the catalog yet
        {answer.refreshedAt
          ? `, as of ${new Date(answer.refreshedAt).toLocaleString()}`
          : ''}
        .
      </Typography>
      {failing.length > 0 && (
        <WarningPanel title="Some clusters could not be read">
          {failing.map(c => `${c.name}: ${c.error}`).join('; ')}
        </WarningPanel>
      )}
      {answer.catalogError && (
        <WarningPanel title="The catalog could not be checked">
          {answer.catalogError}
        </WarningPanel>
      )}
      {rows.length === 0 ? (
        <EmptyState
          missing="content"
          title={
            answer.refreshedAt
              ? 'Every discovered database is in the catalog'
              : 'Discovery has not run yet'
          }
        />
      ) : (
        <Grid container spacing={2}>
          {rows.map(row => (
            <Grid item xs={12} key={row.item.id}>
              <Candidate row={row} />
            </Grid>
          ))}
        </Grid>
      )}
    </Content>
  );
}
