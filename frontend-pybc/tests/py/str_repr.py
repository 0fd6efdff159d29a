# repr() of strings picks quotes and escapes as CPython does; containers use repr of items.
for s in ['abc', "it's", 'say "hi"', 'both \' and "', 'tab\t', 'nl\n', 'cr\r', 'bs\\',
          '\x00\x07\x1b', '\x7f', '\u00e9', '\u4e2d\u6587', '', ' ', '\u2028']:
    print(repr(s), len(repr(s)))
print(['a', "b'c", 'd"e'], ('x',), {'k': 'v'}, [1, 'one', 1.0, None, True])
print(str('abc'), str("it's"), repr(repr('a')))
print([['nested', ['deep']], ('t', ('u',))])
print(repr([]), repr(()), repr({}), repr((1,)), repr((1, 2)), repr([[]]))
