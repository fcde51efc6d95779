import { useEffect, useRef, useState } from 'react';
import { useDebounced } from '../components/use-debounced.ts';

/**
 * A typed filter (a search box) whose settled value lives in the URL: typing writes it once the
 * typing pauses (replacing the history entry, not adding one per key); a change of the URL from
 * elsewhere (Clear filters, Back) shows in the box, without undoing what is being typed.
 */
export function useUrlTextFilter(
  urlValue: string,
  write: (value: string) => void,
): [string, (v: string) => void] {
  const [text, setText] = useState(urlValue);
  const settled = useDebounced(text, 300);
  const written = useRef(urlValue);
  useEffect(() => {
    // Only a value the box still shows: not one overtaken by a change of the URL.
    if (settled !== text || settled === written.current) return;
    written.current = settled;
    write(settled);
  }, [settled, text, write]);
  useEffect(() => {
    if (urlValue === written.current) return;
    written.current = urlValue;
    setText(urlValue);
  }, [urlValue]);
  return [text, setText];
}
