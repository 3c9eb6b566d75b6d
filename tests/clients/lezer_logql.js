// Parses LogQL queries with Grafana's own grammar (@grafana/lezer-logql, the one Grafana's
// query editor uses) and prints one verdict per query: "accept", or "reject" when the syntax
// tree has an error node. Used by tests/query/logql_lezer_test.cc.
// Usage: node lezer_logql.js <file>   (one query per line, as tests/testdata/logql/corpus.txt;
// blank lines and lines starting with "##" are skipped and get no verdict).
'use strict';
const fs = require('fs');
const { parser } = require('@grafana/lezer-logql');

const lines = fs.readFileSync(process.argv[2], 'utf8').split('\n');
const out = [];
for (const line of lines) {
  if (line.trim() === '' || line.startsWith('##')) continue;
  let error = false;
  parser.parse(line).iterate({
    enter(node) {
      if (node.type.isError) error = true;
    },
  });
  out.push(error ? 'reject' : 'accept');
}
process.stdout.write(out.join('\n') + '\n');
