# TypeError: str.join of non-strings.
print(', '.join(['a', 'b']))
print(', '.join([1, 2]))
