/*
 * The operator and federation controllers the simulator runs beside its
 * built-in StatefulSet controller: CloudNativePG, Karmada and KubeFed.
 */
import { cnpgController } from './cnpg';
import { karmadaController, kubefedController } from './federation';
import type { Controller } from './types';

/** Controllers that play operators and federation control planes. */
export function operatorControllers(): Controller[] {
  return [cnpgController(), karmadaController(), kubefedController()];
}
