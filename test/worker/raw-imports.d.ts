/** A file imported as text (`?raw`, Vite): the docs pages the tests read their expected values from. */
declare module "*.md?raw" {
  const text: string;
  export default text;
}
