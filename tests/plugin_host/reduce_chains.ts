/** Resolution chains the temporal-reduce tests reduce through, each one nesting, with their INTERVAL literals for the direct DuckDB query. */
export const CHAINS: [name: string, interval: string][][] = [
  [["1m", "1 minute"], ["5m", "5 minutes"], ["1h", "1 hour"], ["1d", "1 day"]],
  [["15m", "15 minutes"], ["1h", "1 hour"], ["6h", "6 hours"], ["1d", "1 day"], ["1w", "7 days"]],
  [["7s", "7 seconds"], ["21s", "21 seconds"], ["84s", "84 seconds"]],
  [["1h", "1 hour"], ["2h", "2 hours"], ["4h", "4 hours"], ["12h", "12 hours"], ["24h", "1 day"]],
];
