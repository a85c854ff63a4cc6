// Data sources. defaultCorpus() is the text used when no --data file is given.
export {
  defaultCorpus,
  defaultCorpusSlice,
  sotuAddresses,
  DOCUMENT_SEPARATOR,
  type Address,
} from './sotu.js';
