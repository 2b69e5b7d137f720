// Types follow the runtime's single fetch (remix.config.js): loader data is what turbo-stream carries, not JSON.
import '@remix-run/node';

declare module '@remix-run/node' {
  interface Future {
    v3_singleFetch: true;
  }
}
