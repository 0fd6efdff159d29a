# KeyError for a missing key.
d = {'a': 1, 'b': 2}
print(d['a'], d.get('x'))
print(d['x'])
