import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type KeyInput, keyAction } from './keyboard.ts';

function key(k: string, extra: Partial<KeyInput> = {}): KeyInput {
  return { key: k, ctrlKey: false, metaKey: false, altKey: false, target: null, ...extra };
}

test('list: j/k and the arrows move, Enter opens, m, #, Delete and r act', () => {
  assert.equal(keyAction(key('j'), 'list'), 'next');
  assert.equal(keyAction(key('ArrowDown'), 'list'), 'next');
  assert.equal(keyAction(key('k'), 'list'), 'prev');
  assert.equal(keyAction(key('ArrowUp'), 'list'), 'prev');
  assert.equal(keyAction(key('Home'), 'list'), 'first');
  assert.equal(keyAction(key('End'), 'list'), 'last');
  assert.equal(keyAction(key('Enter'), 'list'), 'open');
  assert.equal(keyAction(key('m'), 'list'), 'toggle-read');
  assert.equal(keyAction(key('#'), 'list'), 'delete');
  assert.equal(keyAction(key('Delete'), 'list'), 'delete');
  assert.equal(keyAction(key('r'), 'list'), 'sync');
});

test('list: Escape and unknown keys do nothing', () => {
  assert.equal(keyAction(key('Escape'), 'list'), null);
  assert.equal(keyAction(key('x'), 'list'), null);
  assert.equal(keyAction(key('J'), 'list'), null);
  // Inherited object keys are not actions.
  assert.equal(keyAction(key('toString'), 'list'), null);
});

test('reader: Esc goes back, j/k step, arrows are left to scrolling', () => {
  assert.equal(keyAction(key('Escape'), 'reader'), 'back');
  assert.equal(keyAction(key('j'), 'reader'), 'next');
  assert.equal(keyAction(key('k'), 'reader'), 'prev');
  assert.equal(keyAction(key('ArrowDown'), 'reader'), null);
  assert.equal(keyAction(key('End'), 'reader'), null);
  assert.equal(keyAction(key('Enter'), 'reader'), null);
  assert.equal(keyAction(key('Delete'), 'reader'), 'delete');
  assert.equal(keyAction(key('m'), 'reader'), 'toggle-read');
});

test('modifier combinations belong to the browser', () => {
  assert.equal(keyAction(key('r', { ctrlKey: true }), 'list'), null);
  assert.equal(keyAction(key('Delete', { metaKey: true }), 'list'), null);
  assert.equal(keyAction(key('j', { altKey: true }), 'list'), null);
});

test('typing in a field or choosing in a select is never taken over', () => {
  const select = { tagName: 'SELECT' };
  assert.equal(keyAction(key('j', { target: select }), 'list'), null);
  assert.equal(keyAction(key('ArrowDown', { target: select }), 'list'), null);
  assert.equal(keyAction(key('m', { target: { tagName: 'input' } }), 'list'), null);
  assert.equal(keyAction(key('r', { target: { tagName: 'DIV', isContentEditable: true } }), 'list'), null);
  // …but Esc still leaves the reader.
  assert.equal(keyAction(key('Escape', { target: select }), 'reader'), 'back');
});

test('Enter and Space on a button activate the button, other keys still work there', () => {
  const button = { tagName: 'BUTTON' };
  assert.equal(keyAction(key('Enter', { target: button }), 'list'), null);
  assert.equal(keyAction(key(' ', { target: button }), 'list'), null);
  assert.equal(keyAction(key('j', { target: button }), 'list'), 'next');
  // A focused row (a div) opens with Enter.
  assert.equal(keyAction(key('Enter', { target: { tagName: 'DIV' } }), 'list'), 'open');
});
