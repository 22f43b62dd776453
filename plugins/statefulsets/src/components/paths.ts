/** Path of the Multi-cluster tab below the entity page. */
export const CONTENT_PATH = 'multi-cluster';
