# Defines a class, which the engine does not support: it must refuse before printing.
print('this line must not appear')


class Point:
    def __init__(self, x, y):
        self.x = x
        self.y = y


p = Point(1, 2)
print(p.x + p.y)
