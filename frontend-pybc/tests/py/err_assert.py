# AssertionError from a failing assert with a message.
x = 3
assert x == 3
print('first assert passed')
assert x > 5, 'x is too small'
