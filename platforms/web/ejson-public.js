// EJSON: JSON text with MongoDB Extended JSON for dates, binary data,
// ObjectId, UUID and 64-bit integers, as Tether writes it (see ejson.js).
export { stringify, parse } from './ejson.js';
