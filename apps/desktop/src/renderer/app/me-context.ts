import { createContext, useContext } from 'react';
import { hasCapability } from '../api/capabilities.ts';
import type { Me } from '../api/types.ts';

export const MeContext = createContext<Me | null>(null);

/** The signed-in operator. Only inside the signed-in part of the app. */
export function useMe(): Me {
  const me = useContext(MeContext);
  if (!me) throw new Error('useMe outside the signed-in console');
  return me;
}

/** Whether the operator has `capability` right now (break-glass grants included). */
export function useCan(capability: string): boolean {
  return hasCapability(useMe().capabilities, capability);
}
