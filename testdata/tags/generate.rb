# Remakes ruby_json_generate.jsonl: for each JSON value of inputs.txt (one a
# line), what Ruby's JSON.parse then JSON.generate make of it, as IBM's
# runner (aspera-cli, Ruby) does to a spec's tags. Made with Debian's ruby
# 3.1 and its json 2.6.1: ruby testdata/tags/generate.rb
require 'json'
dir = File.dirname(__FILE__)
File.open(File.join(dir, 'ruby_json_generate.jsonl'), 'w') do |out|
  File.readlines(File.join(dir, 'inputs.txt'), chomp: true).each do |text|
    value = JSON.parse("[#{text}]")
    out.puts JSON.generate({'json' => text, 'ruby' => JSON.generate(value)[1..-2]})
  end
end
