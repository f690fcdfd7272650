<?php // test
