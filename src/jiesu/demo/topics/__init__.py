"""What citizens call about in 霍营街道: the category tree, with texts for each leaf."""

from jiesu.demo.topics import city, housing, society
from jiesu.demo.topics.topic import Topic

TOPICS: tuple[Topic, ...] = (*city.TOPICS, *housing.TOPICS, *society.TOPICS)
TAGS = ("每月一题", "七有五性", "营商环境", "老旧小区", "群租房")
