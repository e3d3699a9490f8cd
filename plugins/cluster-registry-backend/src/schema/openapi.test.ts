import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { spec } from './openapi/generated/router';

describe('the OpenAPI document', () => {
  it('is what the generated router validates against (after editing openapi.yaml, run `yarn generate:openapi`)', () => {
    const source = YAML.parse(
      fs.readFileSync(path.join(__dirname, 'openapi.yaml'), 'utf8'),
    );
    expect(spec).toEqual(source);
  });
});
