# ValueError: min() of an empty sequence.
print(min([3, 1]), min([], default=None))
print(min([]))
