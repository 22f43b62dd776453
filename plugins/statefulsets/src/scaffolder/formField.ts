/*
 * The picker as a new-frontend-system form field (loaded lazily by the
 * scaffolder).
 */
import { createFormField } from '@backstage/plugin-scaffolder-react/alpha';
import {
  MultiClusterPicker,
  validateMultiClusterPick,
} from './MultiClusterPicker';

/** The `MultiClusterPicker` form field. */
export const multiClusterPickerFormField = createFormField({
  name: 'MultiClusterPicker',
  component: MultiClusterPicker,
  validation: validateMultiClusterPick,
});
