// Verifies Open Badges 3.0 credentials with Digital Bazaar's libraries, not this project's
// code: @digitalbazaar/vc, data-integrity with the eddsa-rdfc-2022 cryptosuite, did:key
// resolution and the Bitstring Status List check. Offline: contexts come from the bundle
// (credentials v2 from @digitalbazaar/credentials-context, Open Badges 3.0 from the
// server's bundled copy), did:key documents from the key itself, status lists from the
// input. Any other URL is refused.
//
// stdin: {"credentials": [...], "statusLists": {"<url>": <status list credential>}}
// stdout: one result per credential: {"verified": bool, "revoked": bool|null, "error": str}
import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import * as didKey from '@digitalbazaar/did-method-key';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';
import {contexts as vcContexts} from '@digitalbazaar/credentials-context';

const here = path.dirname(fileURLToPath(import.meta.url));
const bundled = path.join(here, '..', '..', 'server', 'credentials', 'contexts');
const OB_CONTEXT = 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json';

const contexts = new Map(vcContexts);
contexts.set(OB_CONTEXT, JSON.parse(
  fs.readFileSync(path.join(bundled, 'ob-v3p0-context-3.0.3.json'), 'utf8')));

const didKeyDriver = didKey.driver();
didKeyDriver.use({multibaseMultikeyHeader: 'z6Mk', fromMultibase: Ed25519Multikey.from});

const input = JSON.parse(fs.readFileSync(0, 'utf8'));
const statusLists = input.statusLists || {};

async function documentLoader(url) {
  if(contexts.has(url)) {
    return {contextUrl: null, documentUrl: url, document: contexts.get(url)};
  }
  if(url.startsWith('did:key:')) {
    const document = await didKeyDriver.get({url});
    return {contextUrl: null, documentUrl: url, document};
  }
  if(url in statusLists) {
    return {contextUrl: null, documentUrl: url, document: statusLists[url]};
  }
  throw new Error(`offline: refused to load ${url}`);
}

const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022});

function describe(result) {
  const errors = [];
  const walk = value => {
    if(!value) {
      return;
    }
    if(Array.isArray(value)) {
      value.forEach(walk);
      return;
    }
    if(value.message) {
      errors.push(value.message);
    }
    walk(value.error);
    walk(value.errors);
    (value.results || []).forEach(r => walk(r.error));
  };
  walk(result.error);
  (result.results || []).forEach(r => walk(r.error));
  return errors.join('; ');
}

const results = [];
for(const credential of input.credentials) {
  const result = await vc.verifyCredential({
    credential,
    suite,
    documentLoader,
    checkStatus: ({credential: c}) => checkStatus({
      credential: c, documentLoader, suite, verifyBitstringStatusListCredential: true,
      verifyMatchingIssuers: true
    })
  });
  const status = result.statusResult;
  results.push({
    verified: result.verified === true,
    revoked: status && status.verified ?
      status.results.some(entry => entry.status === true) : null,
    error: result.verified ? '' : describe(result),
    statusError: status && !status.verified ? describe(status) : ''
  });
}
process.stdout.write(JSON.stringify(results) + '\n');
