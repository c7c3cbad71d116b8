// The demo server (apps/demo) arrives in a later wave; until then `npm start` says so.
console.log(
  'The demo server (apps/demo) is not part of this release yet. Run `npm test` to exercise the packages.',
);
