import { useEffect, useState } from 'react';

/** Below this width the navigation folds away behind its toggle and tables reflow. */
export const NARROW_WINDOW_QUERY = '(max-width: 800px)';

/** Whether the window is narrow now; follows resizes. */
export function useNarrowWindow(): boolean {
  const [narrow, setNarrow] = useState(() => window.matchMedia(NARROW_WINDOW_QUERY).matches);
  useEffect(() => {
    const media = window.matchMedia(NARROW_WINDOW_QUERY);
    const update = () => setNarrow(media.matches);
    update();
    media.addEventListener('change', update);
    return () => media.removeEventListener('change', update);
  }, []);
  return narrow;
}
