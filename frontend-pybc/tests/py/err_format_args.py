# TypeError: not enough arguments for format string.
print('%s and %s' % ('a', 'b'))
print('%s and %s' % ('a',))
