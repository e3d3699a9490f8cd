import '@testing-library/jest-dom';

// Page tests render the whole form and type into it; on a loaded 2-core
// machine the first test of a file (which also loads the modules) can take
// longer than jest's default 5 s without anything being wrong.
jest.setTimeout(30_000);
